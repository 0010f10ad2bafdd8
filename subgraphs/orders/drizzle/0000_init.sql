CREATE TABLE `order_items` (
	`order_id` char(36) NOT NULL,
	`product_id` char(36) NOT NULL,
	`product_name` varchar(100) NOT NULL,
	`unit_price_cents` int NOT NULL,
	`quantity` int NOT NULL,
	CONSTRAINT `order_items_order_id_product_id_pk` PRIMARY KEY(`order_id`,`product_id`)
);
--> statement-breakpoint
CREATE TABLE `order_offers` (
	`order_id` char(36) NOT NULL,
	`rider_id` varchar(128) NOT NULL,
	`round` int NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	CONSTRAINT `order_offers_order_id_rider_id_pk` PRIMARY KEY(`order_id`,`rider_id`)
);
--> statement-breakpoint
CREATE TABLE `order_timeline` (
	`seq` bigint unsigned AUTO_INCREMENT NOT NULL,
	`order_id` char(36) NOT NULL,
	`status` enum('PENDING_PAYMENT','CREATED','NOTIFIED','DELIVERING','OVERTIME','RECEIVED','COMPENSATING','CLOSED','CANCELLED') NOT NULL,
	`step` varchar(32) NOT NULL,
	`actor_id` varchar(128),
	`at` datetime(3) NOT NULL,
	CONSTRAINT `order_timeline_seq` PRIMARY KEY(`seq`)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` char(36) NOT NULL,
	`customer_id` varchar(128) NOT NULL,
	`merchant_id` char(36) NOT NULL,
	`merchant_owner_id` varchar(128) NOT NULL,
	`merchant_lat` double NOT NULL,
	`merchant_lng` double NOT NULL,
	`status` enum('PENDING_PAYMENT','CREATED','NOTIFIED','DELIVERING','OVERTIME','RECEIVED','COMPENSATING','CLOSED','CANCELLED') NOT NULL,
	`version` int NOT NULL DEFAULT 0,
	`total_cents` int NOT NULL,
	`delivery_address` varchar(300) NOT NULL,
	`delivery_lat` double NOT NULL,
	`delivery_lng` double NOT NULL,
	`idempotency_key` varchar(64),
	`rider_id` varchar(128),
	`payment_id` char(36),
	`was_overtime` boolean NOT NULL DEFAULT false,
	`needs_attention` boolean NOT NULL DEFAULT false,
	`dispatch_round` int NOT NULL DEFAULT 0,
	`refund_cents` int NOT NULL DEFAULT 0,
	`cancel_reason` varchar(300),
	`created_at` datetime(3) NOT NULL,
	`payment_due_at` datetime(3),
	`paid_at` datetime(3),
	`offer_expires_at` datetime(3),
	`grabbed_at` datetime(3),
	`picked_up_at` datetime(3),
	`deadline_at` datetime(3) NOT NULL,
	`delivered_at` datetime(3),
	`close_due_at` datetime(3),
	`closed_at` datetime(3),
	`cancelled_at` datetime(3),
	CONSTRAINT `orders_id` PRIMARY KEY(`id`),
	CONSTRAINT `orders_customer_idempotency` UNIQUE(`customer_id`,`idempotency_key`)
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
CREATE INDEX `order_timeline_order` ON `order_timeline` (`order_id`,`seq`);--> statement-breakpoint
CREATE INDEX `orders_customer_created` ON `orders` (`customer_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_merchant_created` ON `orders` (`merchant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_rider_status` ON `orders` (`rider_id`,`status`);--> statement-breakpoint
CREATE INDEX `orders_status_payment_due` ON `orders` (`status`,`payment_due_at`);--> statement-breakpoint
CREATE INDEX `orders_status_offer_expires` ON `orders` (`status`,`offer_expires_at`);--> statement-breakpoint
CREATE INDEX `orders_status_deadline` ON `orders` (`status`,`deadline_at`);--> statement-breakpoint
CREATE INDEX `orders_status_close_due` ON `orders` (`status`,`close_due_at`);--> statement-breakpoint
CREATE INDEX `outbox_unpublished` ON `outbox` (`published_at`,`seq`);