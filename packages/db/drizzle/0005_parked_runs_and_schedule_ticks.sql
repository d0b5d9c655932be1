CREATE TABLE `schedule_ticks` (
	`workflow_id` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`fired_at` integer NOT NULL,
	`run_id` text,
	PRIMARY KEY(`workflow_id`, `scheduled_at`),
	FOREIGN KEY (`workflow_id`) REFERENCES `workflows`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `run_steps` ADD `resume_at` integer;--> statement-breakpoint
CREATE INDEX `runs_waiting` ON `runs` (`not_before`) WHERE status = 'waiting';