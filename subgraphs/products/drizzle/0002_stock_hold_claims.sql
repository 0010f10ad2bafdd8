ALTER TABLE `stock_holds` ADD `claimed_at` datetime(3);--> statement-breakpoint
ALTER TABLE `stock_holds` ADD `confirmed_at` datetime(3);--> statement-breakpoint
CREATE INDEX `stock_holds_unconfirmed` ON `stock_holds` (`status`,`confirmed_at`,`claimed_at`);--> statement-breakpoint
-- Holds taken before this migration: their window counts from when they were taken.
UPDATE `stock_holds` SET `claimed_at` = `created_at` WHERE `status` = 'RESERVED';
