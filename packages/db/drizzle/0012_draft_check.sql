ALTER TABLE `workflow_versions` ADD `check_summary` text;--> statement-breakpoint
ALTER TABLE `workflows` ADD `draft_check` text;