// Preloaded (node -r) into a benchmarked command: reports its peak resident memory on exit.
process.on('exit', () => process.stderr.write(`PEAK_RSS_KB=${process.resourceUsage().maxRSS}\n`));
