CREATE TABLE `deliveries` (
	`trigger_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`event_id` text NOT NULL,
	`run_id` text,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`trigger_id`, `delivery_id`),
	FOREIGN KEY (`trigger_id`) REFERENCES `triggers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deliveries_received` ON `deliveries` (`received_at`);--> statement-breakpoint
CREATE TABLE `trigger_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`trigger_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`method` text NOT NULL,
	`status` integer NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`message` text,
	`run_id` text,
	`event_id` text,
	`size` integer NOT NULL,
	`remote_address` text,
	`headers` text,
	FOREIGN KEY (`trigger_id`) REFERENCES `triggers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trigger_requests_trigger` ON `trigger_requests` (`trigger_id`,`id`);