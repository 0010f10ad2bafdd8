CREATE TABLE `campaign_customers` (
	`campaign_id` char(36) NOT NULL,
	`customer_id` varchar(128) NOT NULL,
	`uses` int NOT NULL,
	CONSTRAINT `campaign_customers_campaign_id_customer_id_pk` PRIMARY KEY(`campaign_id`,`customer_id`)
);
--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` char(36) NOT NULL,
	`kind` enum('SPEND_AND_SAVE','PERCENT_OFF','FIRST_ORDER','COUPON') NOT NULL,
	`title` varchar(100) NOT NULL,
	`funded_by` enum('PLATFORM','MERCHANT') NOT NULL,
	`merchant_id` varchar(64),
	`owner_id` varchar(128),
	`merchant_ids` text NOT NULL,
	`area_lat` double,
	`area_lng` double,
	`area_radius_meters` int,
	`starts_at` datetime(3) NOT NULL,
	`ends_at` datetime(3) NOT NULL,
	`status` enum('ACTIVE','PAUSED','ENDED') NOT NULL,
	`budget_cents` int NOT NULL,
	`reserved_cents` int NOT NULL DEFAULT 0,
	`spent_cents` int NOT NULL DEFAULT 0,
	`per_customer_limit` int,
	`stacks_with` varchar(200) NOT NULL,
	`threshold_cents` int,
	`off_cents` int,
	`percent` int,
	`cap_cents` int,
	`product_ids` text,
	`created_by` varchar(128) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `campaigns_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `coupons` (
	`id` char(36) NOT NULL,
	`campaign_id` char(36) NOT NULL,
	`customer_id` varchar(128) NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`order_id` varchar(64),
	`used_at` datetime(3),
	`issued_by` varchar(128) NOT NULL,
	`issued_at` datetime(3) NOT NULL,
	CONSTRAINT `coupons_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `discount_lines` (
	`order_id` varchar(64) NOT NULL,
	`campaign_id` char(36) NOT NULL,
	`coupon_id` char(36),
	`kind` enum('SPEND_AND_SAVE','PERCENT_OFF','FIRST_ORDER','COUPON') NOT NULL,
	`title` varchar(100) NOT NULL,
	`funded_by` enum('PLATFORM','MERCHANT') NOT NULL,
	`amount_cents` int NOT NULL,
	CONSTRAINT `discount_lines_order_id_campaign_id_pk` PRIMARY KEY(`order_id`,`campaign_id`)
);
--> statement-breakpoint
CREATE TABLE `discount_orders` (
	`order_id` varchar(64) NOT NULL,
	`customer_id` varchar(128) NOT NULL,
	`state` enum('RESERVED','CONSUMED','RELEASED') NOT NULL,
	`claimed_at` datetime(3) NOT NULL,
	`confirmed_at` datetime(3),
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `discount_orders_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE TABLE `paid_customers` (
	`customer_id` varchar(128) NOT NULL,
	`first_order_id` varchar(64) NOT NULL,
	`paid_at` datetime(3) NOT NULL,
	CONSTRAINT `paid_customers_customer_id` PRIMARY KEY(`customer_id`)
);
--> statement-breakpoint
ALTER TABLE `audit_log` MODIFY COLUMN `action` enum('ORDER_CANCEL','ORDER_REDISPATCH','ORDER_REASSIGN','ORDER_MARK_DELIVERED','ORDER_COMPENSATE','RIDER_SUSPEND','RIDER_REINSTATE','MERCHANT_SUSPEND','MERCHANT_REINSTATE','MERCHANT_CREATE','PRODUCT_PUBLISH','PRODUCT_STOCK_SET','PRODUCT_STATUS_SET','CAMPAIGN_CREATE','CAMPAIGN_PAUSE','CAMPAIGN_RESUME','CAMPAIGN_END','COUPON_ISSUE','AD_BUY','AD_PAUSE','AD_RESUME','AD_END') NOT NULL;--> statement-breakpoint
ALTER TABLE `audit_log` MODIFY COLUMN `target_type` enum('ORDER','RIDER','MERCHANT','PRODUCT','PAYMENT','CAMPAIGN','COUPON','AD_PLACEMENT') NOT NULL;--> statement-breakpoint
CREATE INDEX `campaigns_status_ends` ON `campaigns` (`status`,`ends_at`);--> statement-breakpoint
CREATE INDEX `campaigns_owner_created` ON `campaigns` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `campaigns_created` ON `campaigns` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `coupons_customer_issued` ON `coupons` (`customer_id`,`issued_at`,`id`);--> statement-breakpoint
CREATE INDEX `coupons_campaign` ON `coupons` (`campaign_id`);--> statement-breakpoint
CREATE INDEX `discount_lines_campaign` ON `discount_lines` (`campaign_id`);--> statement-breakpoint
CREATE INDEX `discount_orders_unconfirmed` ON `discount_orders` (`state`,`confirmed_at`,`claimed_at`);