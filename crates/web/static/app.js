// Progressive enhancement only: every page works without this file.
// htmx requests that change state carry the session's anti-forgery token.
document.addEventListener("htmx:configRequest", function (e) {
  var m = document.querySelector('meta[name="csrf-token"]');
  if (m && m.content) { e.detail.headers["X-CSRF-Token"] = m.content; }
});
