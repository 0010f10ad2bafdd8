CREATE TABLE `ad_placements` (
	`id` char(36) NOT NULL,
	`merchant_id` char(36) NOT NULL,
	`lat` double NOT NULL,
	`lng` double NOT NULL,
	`radius_m` int NOT NULL,
	`starts_at` datetime(3) NOT NULL,
	`ends_at` datetime(3) NOT NULL,
	`daily_budget_cents` int NOT NULL,
	`cpc_cents` int NOT NULL,
	`status` enum('ACTIVE','PAUSED','ENDED') NOT NULL,
	`version` int NOT NULL,
	CONSTRAINT `ad_placements_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `ad_placements_status_lat_lng` ON `ad_placements` (`status`,`lat`,`lng`);