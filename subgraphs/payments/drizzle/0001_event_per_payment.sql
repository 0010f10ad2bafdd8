-- One statement, so the table is never left without a key: an event id is unique per payment, not globally.
ALTER TABLE `payment_events` DROP PRIMARY KEY, ADD PRIMARY KEY(`event_id`,`payment_id`);
