// How times read on screen: countdowns in tenths or frames, times of day, signed durations.

const pad = (n, w = 2) => String(n).padStart(w, '0');

// h:mm:ss or m:ss for a whole number of seconds (not negative).
function clockParts(totalSeconds) {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

// A countdown: remaining ms (negative when over) shown in tenths ("4:59.3") or frames
// ("4:59:08"). While time remains the value is rounded up, so 0 shows exactly at the
// deadline; over time counts up from +0 with a leading "+".
export function countdown(remainingMs, mode = 'tenths', fps = 25) {
  const over = remainingMs < 0;
  const a = Math.abs(remainingMs);
  let text;
  if (mode === 'frames') {
    const frames = over ? Math.floor((a * fps) / 1000) : Math.ceil((a * fps) / 1000 - 1e-9);
    text = `${clockParts(Math.floor(frames / fps))}:${pad(frames % fps)}`;
  } else {
    const tenths = over ? Math.floor(a / 100) : Math.ceil(a / 100 - 1e-9);
    text = `${clockParts(Math.floor(tenths / 10))}.${tenths % 10}`;
  }
  return over ? `+${text}` : text;
}

// A duration in whole seconds, rounded to the nearest: "1:30", "1:02:03".
export function duration(ms) {
  if (ms == null) return '';
  return clockParts(Math.round(Math.abs(ms) / 1000));
}

// A duration with its sign: "+0:12" (over, late) or "−0:05" (under, early); "0:00" at zero.
export function signed(ms) {
  if (ms == null) return '';
  const s = Math.round(ms / 1000);
  if (s === 0) return '0:00';
  return `${s > 0 ? '+' : '\u2212'}${clockParts(Math.abs(s))}`;
}

// A wall-clock time in this browser's time zone: "18:04:30", or with milliseconds.
export function timeOfDay(wallMs, withMs = false) {
  if (wallMs == null) return '';
  const d = new Date(wallMs);
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${t}.${pad(d.getMilliseconds(), 3)}` : t;
}

// Microseconds with thousands separators: "1 234 µs".
export function micros(us) {
  if (us == null) return '';
  const sign = us < 0 ? '\u2212' : '';
  return `${sign}${String(Math.abs(Math.round(us))).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009')}`;
}

// Milliseconds with one decimal below 10, whole above: the sync badge.
export function millis(ms) {
  if (ms == null || !Number.isFinite(ms)) return '?';
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

// A cue's place: "−0:02", "0:05", "end −0:03" (from the item's start or its planned end).
export function cueAt(anchor, offsetMs) {
  const a = Math.abs(offsetMs);
  const body = a < 1000 && a > 0 ? `${a}ms` : a % 1000 ? `${clockParts(Math.floor(a / 1000))}.${pad(Math.floor(a % 1000), 3)}` : clockParts(a / 1000);
  const sign = offsetMs < 0 ? '\u2212' : anchor === 'end' && offsetMs > 0 ? '+' : '';
  if (anchor === 'end') return offsetMs === 0 ? 'end' : `end ${sign}${body}`;
  return `${sign}${body}`;
}
