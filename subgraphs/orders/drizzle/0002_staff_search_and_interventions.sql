ALTER TABLE `orders` MODIFY COLUMN `cancel_reason` varchar(500);--> statement-breakpoint
ALTER TABLE `orders` ADD `reassigned_at` datetime(3);--> statement-breakpoint
ALTER TABLE `orders` ADD `redispatch_key` char(64);--> statement-breakpoint
CREATE INDEX `orders_created` ON `orders` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_status_created` ON `orders` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_rider_created` ON `orders` (`rider_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_attention_created` ON `orders` (`needs_attention`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_overtime_created` ON `orders` (`was_overtime`,`created_at`,`id`);