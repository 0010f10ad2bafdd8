CREATE TABLE `audit_log` (
	`id` char(36) NOT NULL,
	`service` varchar(32) NOT NULL,
	`actor_id` varchar(128) NOT NULL,
	`actor_roles` varchar(200) NOT NULL,
	`action` enum('ORDER_CANCEL','ORDER_REDISPATCH','ORDER_REASSIGN','ORDER_MARK_DELIVERED','ORDER_COMPENSATE','RIDER_SUSPEND','RIDER_REINSTATE','MERCHANT_SUSPEND','MERCHANT_REINSTATE','MERCHANT_CREATE','PRODUCT_PUBLISH','PRODUCT_STOCK_SET','PRODUCT_STATUS_SET') NOT NULL,
	`target_type` enum('ORDER','RIDER','MERCHANT','PRODUCT','PAYMENT') NOT NULL,
	`target_id` varchar(128) NOT NULL,
	`reason` text,
	`before_status` varchar(64),
	`after_status` varchar(64),
	`details` text NOT NULL,
	`at` datetime(3) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	CONSTRAINT `audit_log_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `order_facts` (
	`order_id` varchar(64) NOT NULL,
	`merchant_id` varchar(64),
	`customer_id` varchar(128),
	`rider_id` varchar(128),
	`rider_seen_at` datetime(3),
	`total_cents` int,
	`placed_at` datetime(3),
	`paid_at` datetime(3),
	`grabbed_at` datetime(3),
	`delivered_at` datetime(3),
	`cancelled_at` datetime(3),
	`was_overtime` boolean NOT NULL DEFAULT false,
	`needed_attention` boolean NOT NULL DEFAULT false,
	CONSTRAINT `order_facts_order_id` PRIMARY KEY(`order_id`)
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
CREATE TABLE `refund_facts` (
	`event_id` char(36) NOT NULL,
	`payment_id` varchar(64) NOT NULL,
	`order_id` varchar(64) NOT NULL,
	`reason` varchar(32) NOT NULL,
	`refund_cents` int NOT NULL,
	`refunded_at` datetime(3) NOT NULL,
	CONSTRAINT `refund_facts_event_id` PRIMARY KEY(`event_id`)
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_actor_at` ON `audit_log` (`actor_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_target_at` ON `audit_log` (`target_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_target_type_at` ON `audit_log` (`target_type`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_action_at` ON `audit_log` (`action`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `order_facts_placed` ON `order_facts` (`placed_at`);--> statement-breakpoint
CREATE INDEX `order_facts_paid` ON `order_facts` (`paid_at`);--> statement-breakpoint
CREATE INDEX `order_facts_grabbed` ON `order_facts` (`grabbed_at`);--> statement-breakpoint
CREATE INDEX `order_facts_delivered` ON `order_facts` (`delivered_at`);--> statement-breakpoint
CREATE INDEX `order_facts_cancelled` ON `order_facts` (`cancelled_at`);--> statement-breakpoint
CREATE INDEX `order_facts_merchant` ON `order_facts` (`merchant_id`,`placed_at`,`paid_at`,`cancelled_at`,`total_cents`);--> statement-breakpoint
CREATE INDEX `order_facts_rider` ON `order_facts` (`rider_id`,`delivered_at`,`was_overtime`);--> statement-breakpoint
CREATE INDEX `outbox_unpublished` ON `outbox` (`published_at`,`seq`);--> statement-breakpoint
CREATE INDEX `refund_facts_refunded` ON `refund_facts` (`refunded_at`);--> statement-breakpoint
CREATE INDEX `refund_facts_order` ON `refund_facts` (`order_id`);