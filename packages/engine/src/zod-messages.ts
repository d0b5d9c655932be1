import { z } from 'zod';

/**
 * Messages for what users most often leave out. zod's own text for a missing field is "Invalid
 * input: expected object, received undefined"; a person filling in a form, or reading the
 * problems of a workflow or of an API call, needs to hear that the field is required. Set once
 * for the whole process (and the browser app), before anything is parsed: the engine's index
 * imports this module first. Other messages stay zod's.
 */
z.config({
  customError: (issue) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'a value is required' : undefined,
});
