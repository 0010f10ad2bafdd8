-- Back office: riders suspended by operations, offer rows that say what they are now (and notices of assignment and withdrawal),
-- redispatch rounds found again by their request, and one index per filter of the staff search.
ALTER TABLE `order_offers` DROP INDEX `order_offers_order_rider_round`;--> statement-breakpoint
ALTER TABLE `dispatch_rounds` ADD `redispatch_of` varchar(36);--> statement-breakpoint
ALTER TABLE `order_offers` ADD `status` enum('OFFERED','ASSIGNED','WITHDRAWN') DEFAULT 'OFFERED' NOT NULL;--> statement-breakpoint
ALTER TABLE `order_offers` ADD `notice_of` varchar(36) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `riders` ADD `suspended` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `riders` ADD `suspended_reason` varchar(500);--> statement-breakpoint
ALTER TABLE `order_offers` ADD CONSTRAINT `order_offers_order_rider_round` UNIQUE(`order_id`,`rider_id`,`round`,`notice_of`);--> statement-breakpoint
CREATE INDEX `riders_created` ON `riders` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `riders_status_created` ON `riders` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `riders_suspended_created` ON `riders` (`suspended`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `riders_location_updated` ON `riders` (`location_updated_at`);--> statement-breakpoint
CREATE INDEX `riders_lat_lng` ON `riders` (`lat`,`lng`);