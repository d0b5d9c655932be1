CREATE TABLE `samples` (
	`id` text PRIMARY KEY NOT NULL,
	`workflow_id` text NOT NULL,
	`event_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workflow_id`) REFERENCES `workflows`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `samples_workflow` ON `samples` (`workflow_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_workflow_status` ON `runs` (`workflow_id`,`status`,`id`);