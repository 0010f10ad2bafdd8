-- Ids, subs, idempotency keys and event ids compare byte for byte: under utf8mb4_unicode_ci
-- 'ALICE' = 'alice', and 'café' precomposed equals 'cafe' + U+0301, so two callers or two keys could be taken for one.
-- Text that people search (names) can still ask for a _ci collation in its query.
ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
--> statement-breakpoint
ALTER TABLE `merchants` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
--> statement-breakpoint
ALTER TABLE `products` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
--> statement-breakpoint
ALTER TABLE `stock_holds` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
--> statement-breakpoint
ALTER TABLE `stock_hold_items` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
