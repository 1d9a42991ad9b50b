// Reads an iCalendar file the way Thunderbird does, with Mozilla's ical.js, and
// prints each VEVENT's UID and its times as JSON: a timed value as its UTC
// instant (its TZID resolved through the file's own VTIMEZONE components), an
// all-day value as its date, a floating time as written.
//
// usage: node read_ics.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function when(property) {
  if (property === null) {
    return null;
  }
  const time = property.getFirstValue();
  if (time.isDate) {
    return { date: time.toString() };
  }
  const tzid = property.getParameter("tzid");
  if (tzid && time.zone?.tzid !== tzid) {
    throw new Error(`${property.name.toUpperCase()}: no VTIMEZONE defines TZID ${tzid}`);
  }
  if (!tzid && time.zone !== ICAL.Timezone.utcTimezone) {
    return { floating: time.toString() };
  }
  return { utc: time.toJSDate().toISOString().replace(".000Z", "Z"), tzid: tzid ?? "UTC" };
}

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
const events = calendar.getAllSubcomponents("vevent").map((vevent) => ({
  uid: vevent.getFirstPropertyValue("uid"),
  dtstart: when(vevent.getFirstProperty("dtstart")),
  dtend: when(vevent.getFirstProperty("dtend")),
  due: when(vevent.getFirstProperty("due")),
}));
process.stdout.write(JSON.stringify(events, null, 1) + "\n");
