CREATE TABLE `dispatch_rounds` (
	`order_id` char(36) NOT NULL,
	`round` int NOT NULL,
	`merchant_lat` double NOT NULL,
	`merchant_lng` double NOT NULL,
	`radius_m` int NOT NULL,
	`rider_count` int NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`notified_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `dispatch_rounds_order_id_round_pk` PRIMARY KEY(`order_id`,`round`)
);
--> statement-breakpoint
CREATE TABLE `order_offers` (
	`id` char(36) NOT NULL,
	`order_id` char(36) NOT NULL,
	`rider_id` varchar(128) NOT NULL,
	`round` int NOT NULL,
	`distance_m` int NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`withdrawn_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `order_offers_id` PRIMARY KEY(`id`),
	CONSTRAINT `order_offers_order_rider_round` UNIQUE(`order_id`,`rider_id`,`round`)
);
--> statement-breakpoint
CREATE TABLE `rider_assignments` (
	`order_id` char(36) NOT NULL,
	`rider_id` varchar(128) NOT NULL,
	`assigned_at` datetime(3) NOT NULL,
	CONSTRAINT `rider_assignments_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE TABLE `riders` (
	`id` varchar(128) NOT NULL,
	`name` varchar(50) NOT NULL,
	`phone` varchar(21) NOT NULL,
	`vehicle` varchar(30),
	`status` enum('OFFLINE','IDLE','DELIVERING') NOT NULL,
	`status_version` int NOT NULL DEFAULT 0,
	`lat` double,
	`lng` double,
	`location_updated_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `riders_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
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
CREATE TABLE `processed_events` (
	`consumer` varchar(64) NOT NULL,
	`event_id` varchar(64) NOT NULL,
	`processed_at` datetime(3) NOT NULL,
	CONSTRAINT `processed_events_consumer_event_id_pk` PRIMARY KEY(`consumer`,`event_id`)
);
--> statement-breakpoint
CREATE INDEX `order_offers_rider_expires` ON `order_offers` (`rider_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `rider_assignments_rider` ON `rider_assignments` (`rider_id`);--> statement-breakpoint
CREATE INDEX `outbox_unpublished` ON `outbox` (`published_at`,`seq`);