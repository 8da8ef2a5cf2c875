// A docs page's generated section: the text between its two markers, which a
// script rewrites with --write and compares with --check (architecture.mjs,
// command-reference.mjs).

/** `doc` (the page at `name`) with the text between `begin` and `end` replaced by `section`; exits 1 where a marker is missing. */
export function withSection(doc, name, begin, end, section) {
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`${name} lacks the markers ${begin} and ${end}.`);
    process.exit(1);
  }
  return `${doc.slice(0, from + begin.length)}\n${section}${doc.slice(to)}`;
}
