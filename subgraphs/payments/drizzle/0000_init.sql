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
CREATE TABLE `payment_events` (
	`event_id` varchar(64) NOT NULL,
	`payment_id` char(36) NOT NULL,
	`outcome` enum('SUCCESS','FAILURE') NOT NULL,
	`moved_to` enum('PENDING','SUCCEEDED','FAILED','REFUNDED','PARTIALLY_REFUNDED'),
	`received_at` datetime(3) NOT NULL,
	CONSTRAINT `payment_events_event_id` PRIMARY KEY(`event_id`)
);
--> statement-breakpoint
CREATE TABLE `payments` (
	`id` char(36) NOT NULL,
	`order_id` varchar(64) NOT NULL,
	`customer_id` varchar(128) NOT NULL,
	`amount_cents` int NOT NULL,
	`method` enum('ALIPAY','WECHAT_PAY','CARD') NOT NULL,
	`provider` varchar(32) NOT NULL,
	`status` enum('PENDING','SUCCEEDED','FAILED','REFUNDED','PARTIALLY_REFUNDED') NOT NULL,
	`pay_url` varchar(1000),
	`qr_code` varchar(2000),
	`expires_at` datetime(3),
	`paid_at` datetime(3),
	`provider_txn_id` varchar(128),
	`refunded_cents` int NOT NULL DEFAULT 0,
	`pending_order_id` varchar(64),
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `payments_id` PRIMARY KEY(`id`),
	CONSTRAINT `payments_pending_order` UNIQUE(`pending_order_id`)
);
--> statement-breakpoint
CREATE TABLE `processed_events` (
	`consumer` varchar(64) NOT NULL,
	`event_id` varchar(64) NOT NULL,
	`processed_at` datetime(3) NOT NULL,
	CONSTRAINT `processed_events_consumer_event_id_pk` PRIMARY KEY(`consumer`,`event_id`)
);
--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` char(36) NOT NULL,
	`payment_id` char(36) NOT NULL,
	`order_id` varchar(64) NOT NULL,
	`amount_cents` int NOT NULL,
	`reason` enum('LATE_DELIVERY','ORDER_NOT_PAYABLE') NOT NULL,
	`provider_refund_id` varchar(128),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `refunds_id` PRIMARY KEY(`id`),
	CONSTRAINT `refunds_payment_reason` UNIQUE(`payment_id`,`reason`)
);
--> statement-breakpoint
CREATE INDEX `outbox_unpublished` ON `outbox` (`published_at`,`seq`);--> statement-breakpoint
CREATE INDEX `payments_order_created` ON `payments` (`order_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `refunds_order` ON `refunds` (`order_id`);