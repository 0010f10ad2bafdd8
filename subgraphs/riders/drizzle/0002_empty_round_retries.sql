-- A round that reached nobody is planned again later (retry_at) without using up a round; each attempt searches wider (empty_attempts).
ALTER TABLE `dispatch_rounds` ADD `retry_at` datetime(3);--> statement-breakpoint
ALTER TABLE `dispatch_rounds` ADD `empty_attempts` int DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `dispatch_rounds_retry_at` ON `dispatch_rounds` (`retry_at`);