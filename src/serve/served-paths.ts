// Paths inside the served directory. A URL names a run or a file by its path
// relative to the directory; anything that could leave it (`..`, an absolute
// path, a backslash, a NUL, a symbolic link pointing outside) is refused.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * A request the server turns down: 400 for a malformed one (a path that is not
 * relative and inside), 403 for a request addressed to another host, 404 for a
 * path that leads nowhere inside, 503 for work it cannot do now.
 */
export class Refusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

const MAX_PATH_LENGTH = 1024;

/** Whether `path` (real) is `root` (real) or below it. */
function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of `relativePath` under `root` (a real path); a Refusal when it is malformed, missing, or leads outside. */
export function resolveInside(root: string, relativePath: unknown): string {
  if (typeof relativePath !== 'string' || relativePath === '') throw new Refusal(400, 'A path inside the served directory is needed.');
  if (relativePath.length > MAX_PATH_LENGTH || /[\0\\]/.test(relativePath)) throw new Refusal(400, 'That path is not a path inside the served directory.');
  if (isAbsolute(relativePath) || relativePath.split('/').includes('..')) throw new Refusal(400, 'Only paths inside the served directory are served.');
  let real: string;
  try {
    real = realpathSync(resolve(root, relativePath));
  } catch {
    throw new Refusal(404, `Nothing is at ${relativePath}.`);
  }
  // A symbolic link may lead out: what counts is where it ends.
  if (!isInside(root, real)) throw new Refusal(404, `Nothing is at ${relativePath}.`);
  return real;
}

/** Whether `path` exists and is, or passes through, a symbolic link that ends outside `root`. */
export function leadsOutside(root: string, path: string): boolean {
  try {
    return !isInside(root, realpathSync(path));
  } catch {
    return false;
  }
}

/** The URL under which the server sends `path`, a file inside `root`. */
export function fileUrl(root: string, path: string): string {
  return `/files/${relativeName(root, path).split('/').map(encodeURIComponent).join('/')}`;
}

/** `path`'s name relative to `root`, '/'-separated, as URLs carry it ('.' for root itself: a run served on its own). */
export function relativeName(root: string, path: string): string {
  return relative(root, path).split(sep).join('/') || '.';
}
