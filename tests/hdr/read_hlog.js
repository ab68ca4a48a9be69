// Read an HdrHistogram interval log with hdr-histogram-js (an independent
// reader: the TypeScript port of HdrHistogram) and print one JSON line per
// interval histogram: its tag, start, length, significant digits, total
// count, max, and the non-empty counts by index of its counts array.
"use strict";
const fs = require("fs");
const hdr = require("hdr-histogram-js");

const text = fs.readFileSync(process.argv[2], "utf8");
const reader = new hdr.HistogramLogReader(text, 64);
let h;
while ((h = reader.nextIntervalHistogram()) !== null) {
  const counts = [];
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c) counts.push([i, c]);
  }
  console.log(JSON.stringify({
    tag: h.tag || null,
    start_ms: h.startTimeStampMsec,
    end_ms: h.endTimeStampMsec,
    digits: h.numberOfSignificantValueDigits,
    total: h.totalCount,
    max: h.maxValue,
    p99: h.getValueAtPercentile(99),
    counts: counts,
  }));
}
