ALTER TABLE `runs` ADD `not_before` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `replay_of` text;