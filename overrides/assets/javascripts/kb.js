/* medkb reader script: citation previews. No library; works with Material's
   instant navigation through event delegation on the document. */
(() => {
  "use strict";
  const TIP_ID = "kb-cite-preview";
  let tip = null;
  let owner = null;

  /* The entry a citation number points to, as plain text (never markup). */
  const entryText = (link) => {
    const id = decodeURIComponent(link.hash.slice(1));
    const entry = id && document.getElementById(id);
    if (!entry || entry.tagName !== "LI") return "";
    const copy = entry.cloneNode(true);
    copy.querySelectorAll(".kb-backrefs").forEach((el) => el.remove());
    return copy.textContent.replace(/\s+/g, " ").trim();
  };

  const hide = () => {
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
    if (tip) tip.remove();
  };

  const show = (link) => {
    const text = entryText(link);
    if (!text) return;
    if (!tip) {
      tip = document.createElement("div");
      tip.id = TIP_ID;
      tip.className = "kb-cite-preview";
      tip.setAttribute("role", "tooltip");
    }
    tip.textContent = text;
    document.body.appendChild(tip);
    const box = link.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    const left = Math.max(8, Math.min(box.left - 16, width - tip.offsetWidth - 8));
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${box.bottom + window.scrollY + 6}px`;
    link.setAttribute("aria-describedby", TIP_ID);
    owner = link;
  };

  const citation = (event) =>
    event.target instanceof Element ? event.target.closest("sup.kb-cite a") : null;

  document.addEventListener("mouseover", (e) => {
    const link = citation(e);
    if (link && link !== owner) show(link);
  });
  document.addEventListener("mouseout", (e) => {
    const link = citation(e);
    if (link && !link.contains(e.relatedTarget)) hide();
  });
  document.addEventListener("focusin", (e) => {
    const link = citation(e);
    if (link) show(link);
  });
  document.addEventListener("focusout", (e) => {
    if (citation(e)) hide();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hide();
  });
  document.addEventListener("click", hide);
})();
