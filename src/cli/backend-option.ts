// --backend: one option for every command that computes. It is handed on
// through GANKIT_BACKEND, which the engine reads when it starts and a study's
// task processes inherit.
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES } from '../engine/engine.js';

/** Adds --backend (default GANKIT_BACKEND, else auto) to `command`. */
export function withBackendOption(command: Command): Command {
  // An empty GANKIT_BACKEND is unset, as the engine reads it (commander would refuse it as a choice).
  if (process.env.GANKIT_BACKEND === '') delete process.env.GANKIT_BACKEND;
  return command
    .addOption(
      new Option(
        '--backend <name>',
        'cpu: the CPU engine; webgpu: the GPU through WebGPU (needs the optional webgpu package); auto: a hardware GPU where there is one',
      )
        .choices(BACKEND_CHOICES)
        .env('GANKIT_BACKEND')
        .default('auto'),
    )
    .hook('preAction', (_command, action) => {
      process.env.GANKIT_BACKEND = action.opts<{ backend: string }>().backend;
    });
}
