// The notification settings page: the desktop notifications' opt-in (no inline script:
// the Content-Security-Policy allows none, docs/security.md).
import { wireOptIn } from "../livechat/desktop-notify.js";

wireOptIn(document.getElementById("desktop-notify"));
