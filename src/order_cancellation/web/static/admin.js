// Opens and closes the admin's dialogs. showModal() moves focus into the dialog and keeps it
// there; Escape closes it; focus then returns to the button that opened it.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-opens]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.opens);
    dialog.addEventListener("close", () => opener.focus(), { once: true });
    dialog.showModal();
    return;
  }
  const closer = event.target.closest("[data-closes]");
  if (closer) document.getElementById(closer.dataset.closes).close();
});
