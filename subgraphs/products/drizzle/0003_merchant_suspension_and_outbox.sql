CREATE TABLE `outbox` (
	`seq` bigint unsigned AUTO_INCREMENT NOT NULL,
	`event_id` char(36) NOT NULL,
	`topic` varchar(64) NOT NULL,
	`aggregate_id` varchar(64) NOT NULL,
	`payload` text NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`published_at` datetime(3),
	CONSTRAINT `outbox_seq` PRIMARY KEY(`seq`),
	CONSTRAINT `outbox_event_id_unique` UNIQUE(`event_id`)
);
--> statement-breakpoint
ALTER TABLE `merchants` ADD `suspended` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `merchants` ADD `suspended_reason` varchar(500);--> statement-breakpoint
CREATE INDEX `outbox_unpublished` ON `outbox` (`published_at`,`seq`);--> statement-breakpoint
CREATE INDEX `merchants_suspended_lat_lng` ON `merchants` (`suspended`,`lat`,`lng`);--> statement-breakpoint
CREATE INDEX `merchants_created` ON `merchants` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `merchants_suspended_created` ON `merchants` (`suspended`,`created_at`,`id`);