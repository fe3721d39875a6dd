// Event form: place and Kreis only matter in person or hybrid; online events have neither, so the
// fields step aside (the server clears them anyway, casework/events/forms.py).
(() => {
  const format = document.querySelectorAll("[name=format]");
  const wrappers = ["place", "region"]
    .map((name) => document.getElementById(`div_id_${name}`))
    .filter(Boolean);
  if (!format.length || !wrappers.length) return;
  const current = () => {
    const checked = [...format].find((input) => input.type !== "radio" || input.checked);
    return checked ? checked.value : "";
  };
  const update = () => {
    const online = current() === "online";
    wrappers.forEach((wrapper) => {
      wrapper.hidden = online;
    });
  };
  format.forEach((input) => input.addEventListener("change", update));
  update();
})();
