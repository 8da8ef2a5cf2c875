import { smokeTestObjectives } from '../helpers/objective-smoke.js';

await smokeTestObjectives((name) => name.startsWith('fgan:'));
