ALTER TABLE `refunds` DROP INDEX `refunds_payment_reason`;--> statement-breakpoint
DROP INDEX `refunds_order` ON `refunds`;--> statement-breakpoint
ALTER TABLE `refunds` MODIFY COLUMN `reason` enum('LATE_DELIVERY','ORDER_NOT_PAYABLE','ORDER_CANCELLED','GOODWILL') NOT NULL;--> statement-breakpoint
ALTER TABLE `refunds` ADD `refund_key` varchar(200) NOT NULL;--> statement-breakpoint
ALTER TABLE `refunds` ADD `paid_out_at` datetime(3);--> statement-breakpoint
ALTER TABLE `refunds` ADD `payout_due_at` datetime(3);--> statement-breakpoint
ALTER TABLE `refunds` ADD `failed_payouts` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `refunds` ADD `attention_raised_at` datetime(3);--> statement-breakpoint
-- Refunds made before: the key is the one they were paid under (payment and reason); a paid-out
-- one's payout time is taken to be its claim (the provider answered within the same request), and
-- one claimed and never paid out is due for a payout now.
UPDATE `refunds` SET `refund_key` = CONCAT(`payment_id`, ':', `reason`), `paid_out_at` = IF(`provider_refund_id` IS NULL, NULL, `created_at`), `payout_due_at` = IF(`provider_refund_id` IS NULL, `created_at`, NULL);--> statement-breakpoint
ALTER TABLE `refunds` ADD CONSTRAINT `refunds_order_key` UNIQUE(`order_id`,`refund_key`);--> statement-breakpoint
CREATE INDEX `payments_status_created` ON `payments` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `payments_created` ON `payments` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `refunds_payment` ON `refunds` (`payment_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `refunds_order_created` ON `refunds` (`order_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `refunds_reason_created` ON `refunds` (`reason`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `refunds_created` ON `refunds` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `refunds_payout_due` ON `refunds` (`payout_due_at`);