// Small DOM helpers shared by the views.

// Writes text only when it changed: the views redraw at display rate, and an unchanged
// write would still cost the browser a layout.
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
