CREATE TABLE `order_discounts` (
	`order_id` char(36) NOT NULL,
	`campaign_id` varchar(64) NOT NULL,
	`coupon_id` varchar(64),
	`kind` enum('SPEND_AND_SAVE','PERCENT_OFF','FIRST_ORDER','COUPON') NOT NULL,
	`title` varchar(200) NOT NULL,
	`funded_by` enum('PLATFORM','MERCHANT') NOT NULL,
	`amount_cents` int NOT NULL,
	CONSTRAINT `order_discounts_order_id_campaign_id_pk` PRIMARY KEY(`order_id`,`campaign_id`)
);
--> statement-breakpoint
ALTER TABLE `orders` ADD `items_cents` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `discount_cents` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `delivery_fee_cents` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `discounts_available` boolean DEFAULT true NOT NULL;--> statement-breakpoint
-- Orders placed before discounts existed paid their items alone: total = items, nothing off, no fee.
UPDATE `orders` SET `items_cents` = `total_cents`;