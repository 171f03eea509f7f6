// Browser actions the server asks for through state, without eval (the Content-Security-Policy forbids it).
// Each request carries a fresh id; an id already acted on in this tab (sessionStorage) is ignored, so the state
// restored after Back or a reload never repeats a navigation or a page view.
import { useEffect } from "react";
import { toast } from "sonner";
import { refs } from "$/utils/state";

function firstTime(kind, id) {
  if (!id) return false;
  const key = "creatorly:" + kind;
  try {
    if (window.sessionStorage.getItem(key) === id) return false;
    window.sessionStorage.setItem(key, id);
  } catch (error) {
    // Storage refused (private mode): act anyway; the id still changes only when the server asks again.
  }
  return true;
}

// A full page load of `to` (a provider's page or one of our server routes, which the client router can't show).
export function HardNavigation({ to, requestId }) {
  useEffect(() => {
    if (to && firstTime("navigation", requestId)) window.location.assign(to);
  }, [to, requestId]);
  return null;
}

// A page view reported without waiting for an answer; the server reads neither IP nor user agent into storage.
export function PageViewBeacon({ kind, handle, product, viewId, collectPath }) {
  useEffect(() => {
    if (!handle || !firstTime("page-view", viewId)) return;
    try {
      const body = JSON.stringify({
        kind,
        handle,
        product,
        url: window.location.href,
        referrer: document.referrer,
      });
      const blob = new Blob([body], { type: "application/json" });
      if (navigator.sendBeacon && navigator.sendBeacon(collectPath, blob)) return;
      fetch(collectPath, {
        method: "POST",
        body,
        keepalive: true,
        headers: { "Content-Type": "application/json" },
      }).catch(() => {});
    } catch (error) {
      // A lost page view is not worth an error on the buyer's screen.
    }
  }, [viewId]);
  return null;
}

// Toasts from ToastState, shown once each by the toaster Reflex already mounts. The ids shown in this tab are
// remembered, so the list restored after a reload shows nothing again.
const SHOWN_TOASTS_KEY = "creatorly:toasts";

function shownToasts() {
  try {
    return JSON.parse(window.sessionStorage.getItem(SHOWN_TOASTS_KEY) || "[]");
  } catch (error) {
    return [];
  }
}

export function StateToasts({ toasts }) {
  useEffect(() => {
    if (!toasts || toasts.length === 0) return;
    const shown = shownToasts();
    const fresh = toasts.filter((item) => item.id && !shown.includes(item.id));
    if (fresh.length === 0) return;
    for (const item of fresh) {
      const show = toast[item.kind] || toast;
      show(item.message, { id: item.id });
    }
    try {
      const kept = [...shown, ...fresh.map((item) => item.id)].slice(-50);
      window.sessionStorage.setItem(SHOWN_TOASTS_KEY, JSON.stringify(kept));
    } catch (error) {
      // Storage refused: a reload may show the last toasts again, nothing worse.
    }
  }, [toasts]);
  return null;
}

// Empties an upload field's chosen files once its upload is done (what rx.clear_selected_files does by eval).
export function ClearSelectedFiles({ uploadId, requestId }) {
  useEffect(() => {
    if (uploadId && firstTime("clear-files", requestId)) refs["__clear_selected_files"]?.(uploadId);
  }, [uploadId, requestId]);
  return null;
}

// The fan's timezone as the browser knows it (an IANA name, "America/New_York"), reported once on mount so
// session slots are shown in the fan's own time.
export function BrowserTimezone({ onTimezone }) {
  useEffect(() => {
    let zone = "UTC";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch (error) {
      // An old browser without Intl time zones: UTC, and the fan can pick theirs from the list.
    }
    if (onTimezone) onTimezone(zone);
  }, []);
  return null;
}
