CREATE TABLE `merchants` (
	`id` char(36) NOT NULL,
	`owner_id` varchar(128) NOT NULL,
	`name` varchar(100) NOT NULL,
	`address` varchar(300) NOT NULL,
	`lat` double NOT NULL,
	`lng` double NOT NULL,
	`delivery_radius_m` int NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `merchants_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `products` (
	`id` char(36) NOT NULL,
	`merchant_id` char(36) NOT NULL,
	`name` varchar(100) NOT NULL,
	`description` varchar(1000),
	`price_cents` int NOT NULL,
	`stock` int NOT NULL,
	`status` enum('ON_SALE','OFF_SALE') NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `products_id` PRIMARY KEY(`id`),
	CONSTRAINT `products_stock_not_negative` CHECK(`products`.`stock` >= 0)
);
--> statement-breakpoint
CREATE TABLE `stock_hold_items` (
	`order_id` char(36) NOT NULL,
	`product_id` char(36) NOT NULL,
	`quantity` int NOT NULL,
	CONSTRAINT `stock_hold_items_order_id_product_id_pk` PRIMARY KEY(`order_id`,`product_id`)
);
--> statement-breakpoint
CREATE TABLE `stock_holds` (
	`order_id` char(36) NOT NULL,
	`merchant_id` char(36),
	`status` enum('RESERVED','RELEASED') NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`released_at` datetime(3),
	CONSTRAINT `stock_holds_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE INDEX `merchants_lat_lng` ON `merchants` (`lat`,`lng`);--> statement-breakpoint
CREATE INDEX `merchants_owner` ON `merchants` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `products_merchant_created` ON `products` (`merchant_id`,`created_at`,`id`);