/* medkb reader script: citation previews, the audience picker and a name
   for the theme's search dialog. No library; works with Material's instant
   navigation through event delegation on the document. */

/* Material's search panel is a role="dialog" without a name (axe:
   aria-dialog-name); give it the label of its input. */
(() => {
  const dialog = document.querySelector('.md-search[role="dialog"]');
  const input = document.querySelector(".md-search__input");
  if (dialog && !dialog.hasAttribute("aria-label")) {
    dialog.setAttribute("aria-label", (input && input.getAttribute("aria-label")) || "Search");
  }
})();
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

/* Audience: the picker applies and remembers the reader's choice; the head
   script (partials/kb-audience-head.html) applied it before first paint. */
(() => {
  "use strict";
  const config = window.kbAudience;
  if (!config) return;
  const root = document.documentElement;
  const valid = (value) => typeof value === "string" && config.ids.includes(value);
  const read = () => {
    try {
      return localStorage.getItem(config.key);
    } catch (e) {
      return null;
    }
  };
  const store = (value) => {
    try {
      localStorage.setItem(config.key, value);
    } catch (e) {
      /* storage blocked: the choice lasts for this page view */
    }
  };
  const apply = (value) => {
    root.setAttribute("data-kb-audience", value);
    document.querySelectorAll('input[name="kb-audience"]').forEach((input) => {
      input.checked = input.value === value;
    });
  };
  /* On every page, including instant navigation and the back button. */
  const sync = () => {
    let asked = null;
    try {
      asked = new URLSearchParams(location.search).get("audience");
    } catch (e) {
      /* no URL API: ignore the parameter */
    }
    if (valid(asked)) store(asked);
    const current = root.getAttribute("data-kb-audience");
    const stored = read();
    apply([asked, stored, current].find(valid) || config.fallback);
  };
  /* Once chosen, the picker is one line ("Reading as: … · Change"); it
     stays open while focus is in it, so arrow keys can move on. */
  const open = (picker, yes) => {
    picker.classList.toggle("kb-picker--open", yes);
    picker.querySelector(".kb-picker__change").setAttribute("aria-expanded", yes);
  };
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.name === "kb-audience" && valid(input.value)) {
      store(input.value);
      apply(input.value);
      if (!root.classList.contains("kb-chosen")) {
        root.classList.add("kb-chosen");
        open(input.closest(".kb-picker"), true);
      }
    }
  });
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest(".kb-picker__change");
    if (!button) return;
    const picker = button.closest(".kb-picker");
    open(picker, !picker.classList.contains("kb-picker--open"));
    if (picker.classList.contains("kb-picker--open")) picker.querySelector("input:checked").focus();
  });
  document.addEventListener("focusout", (event) => {
    const picker = event.target instanceof Element && event.target.closest(".kb-picker--open");
    if (picker && !picker.contains(event.relatedTarget)) open(picker, false);
  });
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(sync);
  } else {
    sync();
  }
})();
/* medkb search: "/", "s" and "f" open the dialog, Escape closes it; and
   kb-search.js (then Pagefind) loads on first use of the dialog. */
(() => {
  const root = document.querySelector(".kb-search[data-kb-search-script]");
  const toggle = document.getElementById("__search");
  if (!root || !toggle) return;
  const input = root.querySelector('input[name="query"]');
  /* Resolved now: instant navigation keeps this header on deeper pages. */
  const src = new URL(root.getAttribute("data-kb-search-script"), document.baseURI).href;
  root.setAttribute("data-kb-search", new URL(root.getAttribute("data-kb-search"), document.baseURI).href);
  const editable = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  /* Until kb-search.js takes over focus and opening: then these go. */
  const load = () => {
    toggle.removeEventListener("change", load);
    input.removeEventListener("focus", focused);
    if (root.hasAttribute("data-kb-search-loading")) return;
    root.setAttribute("data-kb-search-loading", "");
    const script = document.createElement("script");
    script.src = src;
    document.body.appendChild(script);
  };
  const shortcut = (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (toggle.checked) {
      if (ev.key !== "Escape") return;
      ev.preventDefault();
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
      input.blur();
      return;
    }
    if (!["/", "s", "f"].includes(ev.key) || editable(document.activeElement)) return;
    ev.preventDefault();
    toggle.checked = true;
    toggle.dispatchEvent(new Event("change"));
    input.focus();
  };
  const focused = () => {
    toggle.checked = true; /* as Material's own search does on focus */
    load();
  };
  document.addEventListener("keydown", shortcut);
  toggle.addEventListener("change", load);
  input.addEventListener("focus", focused);
})();
/* Printing: the date it was printed, on the printout (partials/kb-print.html). */
addEventListener("beforeprint", () => {
  const date = new Date().toLocaleDateString(document.documentElement.lang || undefined, { dateStyle: "long" });
  document.querySelectorAll(".kb-print-date").forEach((el) => {
    el.textContent = date;
  });
});
