// Keeps a tablet's screen on (Screen Wake Lock), and takes the lock again when the page
// becomes visible (browsers release it when the page is hidden).

// onStatus(text): 'on', 'off', or why it is not available.
export function keepAwake(onStatus = () => {}) {
  if (!('wakeLock' in navigator)) {
    onStatus(window.isSecureContext ? 'unsupported' : 'needs https');
    return;
  }
  let lock = null;
  const take = async () => {
    if (document.visibilityState !== 'visible' || lock) return;
    try {
      lock = await navigator.wakeLock.request('screen');
      onStatus('on');
      lock.addEventListener('release', () => { lock = null; onStatus('off'); });
    } catch (e) {
      onStatus(e && e.name === 'NotAllowedError' ? 'refused' : 'off');
    }
  };
  document.addEventListener('visibilitychange', take);
  // Some browsers want a user gesture: try again on the first touch.
  document.addEventListener('pointerdown', take, { once: true });
  take();
}
