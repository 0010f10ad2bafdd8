CREATE TABLE `rider_suspensions` (
	`rider_id` varchar(128) NOT NULL,
	`suspended` boolean NOT NULL,
	`changed_at` datetime(3) NOT NULL,
	CONSTRAINT `rider_suspensions_rider_id` PRIMARY KEY(`rider_id`)
);
