CREATE TABLE `ad_attributions` (
	`order_id` varchar(64) NOT NULL,
	`placement_id` char(36) NOT NULL,
	`click_id` char(36) NOT NULL,
	`placed_at` datetime(3) NOT NULL,
	CONSTRAINT `ad_attributions_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE TABLE `ad_clicks` (
	`id` char(36) NOT NULL,
	`placement_id` char(36) NOT NULL,
	`merchant_id` char(36) NOT NULL,
	`customer_id` varchar(128) NOT NULL,
	`clicked_at` datetime(3) NOT NULL,
	CONSTRAINT `ad_clicks_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `ad_daily_stats` (
	`placement_id` char(36) NOT NULL,
	`day` char(10) NOT NULL,
	`impressions` int NOT NULL,
	`clicks` int NOT NULL,
	`spent_cents` int NOT NULL,
	`settled_at` datetime(3) NOT NULL,
	CONSTRAINT `ad_daily_stats_placement_id_day_pk` PRIMARY KEY(`placement_id`,`day`)
);
--> statement-breakpoint
CREATE TABLE `ad_placements` (
	`id` char(36) NOT NULL,
	`merchant_id` char(36) NOT NULL,
	`owner_id` varchar(128) NOT NULL,
	`lat` double NOT NULL,
	`lng` double NOT NULL,
	`radius_m` int NOT NULL,
	`starts_at` datetime(3) NOT NULL,
	`ends_at` datetime(3) NOT NULL,
	`daily_budget_cents` int NOT NULL,
	`cpc_cents` int NOT NULL,
	`status` enum('ACTIVE','PAUSED','ENDED') NOT NULL,
	`version` int NOT NULL,
	`created_by` varchar(128) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `ad_placements_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `ad_attributions_placement` ON `ad_attributions` (`placement_id`);--> statement-breakpoint
CREATE INDEX `ad_clicks_customer_merchant` ON `ad_clicks` (`customer_id`,`merchant_id`,`clicked_at`);--> statement-breakpoint
CREATE INDEX `ad_placements_created` ON `ad_placements` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `ad_placements_owner_created` ON `ad_placements` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `ad_placements_merchant_created` ON `ad_placements` (`merchant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `ad_placements_ends` ON `ad_placements` (`ends_at`);