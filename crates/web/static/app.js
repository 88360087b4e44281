// Progressive enhancement only: every page works without this file.
// htmx requests that change state carry the session's anti-forgery token.
document.addEventListener("htmx:configRequest", function (e) {
  var m = document.querySelector('meta[name="csrf-token"]');
  if (m && m.content) { e.detail.headers["X-CSRF-Token"] = m.content; }
});

// Long imports: a form with data-progress sends its file with XMLHttpRequest so the page can
// show how much is uploaded, then that the server is checking the rows; the answer (the
// import page with its result or row errors) replaces the page. Without script the form
// posts as usual.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.progress || !window.FormData) { return; }
  var box = document.getElementById(form.dataset.progress);
  if (!box) { return; }
  e.preventDefault();
  var bar = box.querySelector("progress");
  var label = box.querySelector("span");
  var button = form.querySelector("button[type=submit]");
  if (button) { button.disabled = true; }
  box.hidden = false;
  label.textContent = label.dataset.uploading;
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (p) {
    if (p.lengthComputable) { bar.value = Math.round((p.loaded / p.total) * 100); }
  });
  xhr.upload.addEventListener("load", function () {
    bar.removeAttribute("value"); // indeterminate while the server works
    label.textContent = label.dataset.processing;
  });
  xhr.addEventListener("load", function () {
    document.open();
    document.write(xhr.responseText);
    document.close();
  });
  xhr.addEventListener("error", function () { form.submit(); });
  xhr.send(new FormData(form));
});
