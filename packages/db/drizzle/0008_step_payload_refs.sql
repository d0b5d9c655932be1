ALTER TABLE `run_steps` ADD `input_from` text;--> statement-breakpoint
ALTER TABLE `run_steps` ADD `output_from` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `output_from` text;