/* The playground's one script: draws any action's or trigger's form from GET /v1/manifest
   alone (inputSchema for the kinds of input, the inputs' `picklist` links for dropdowns),
   fills dropdowns from POST /v1/picklists/{key}, runs or dry-runs an action or polls a
   trigger (keeping its state between polls), and shows the answer, or the problem with the
   offending inputs marked. Each form, and each trigger's state, is kept while the page is
   open: choosing another action and coming back finds them as they were. No framework, no
   build. */
"use strict";

(() => {
  // Picklist inputs the page fills itself; any other required input of a picklist is a
  // parent the form must give first (unless the manifest names them in `dependsOn`).
  const CONTROL_INPUTS = new Set(["region", "filter", "maxItems", "pageToken"]);
  // Inputs named like secrets are typed into password fields, so they are not on screen.
  const SECRET_NAME = /password|secret|token|apikey|privatekey/i;
  // Options asked for per picklist call; `?pageSize=N` makes "more…" easy to try.
  const PAGE_SIZE = positive(new URLSearchParams(location.search).get("pageSize")) || 100;
  const SEARCH_DELAY_MS = 250;
  const TYPED = Symbol("typed"); // a picker's choice when its value is typed by hand

  const state = {
    actions: new Map(), // key -> manifest entry
    picklists: new Map(), // key -> manifest entry
    triggers: new Map(), // key -> manifest entry of a polling trigger
    action: null, // the chosen entry: an action, or a trigger (`kind` says which)
    kind: "action",
    pollStates: new Map(), // list value of a trigger -> `state` of its last poll, sent on the next
    forms: new Map(), // list value -> a form drawn before: its nodes and fields, as left
    fields: new Map(), // input key -> field of the form
    helpers: new Map(), // parent key -> field drawn only to narrow a dependent picklist
    calls: 0, // the newest run or dry run; older answers are dropped
  };

  const byId = (id) => document.getElementById(id);

  function positive(text) {
    const number = Number.parseInt(text ?? "", 10);
    return number > 0 ? number : 0;
  }

  function el(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of [].concat(children)) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  const pretty = (value) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));
  const joined = (title, detail) => (detail ? `${title}. ${detail}` : title);

  // ---- HTTP ---------------------------------------------------------------------------

  function credentialHeaders() {
    const headers = { Accept: "application/json, application/problem+json" };
    const token = byId("token").value;
    const profile = byId("profile").value.trim();
    const serviceKey = byId("service-key").value;
    if (token) headers["X-Segment-Token"] = token;
    if (profile) headers["X-Segment-Profile"] = profile;
    if (serviceKey) headers.Authorization = `Bearer ${serviceKey}`;
    return headers;
  }

  /** `{ok, status, payload}` for a 2xx answer, `{ok: false, status, problem}` otherwise. */
  async function call(method, path, body) {
    const init = { method, headers: credentialHeaders(), cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      const problem = { title: "The service did not answer", detail: error.message };
      return { ok: false, status: 0, problem };
    }
    const text = await response.text();
    let payload = text;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: shown as the text it is.
    }
    if (response.ok) return { ok: true, status: response.status, payload };
    const isProblem = payload !== null && typeof payload === "object" && !Array.isArray(payload);
    const problem = isProblem ? payload : {
      title: `${response.status} ${response.statusText}`,
      status: response.status,
      detail: String(text).slice(0, 500),
    };
    return { ok: false, status: response.status, problem };
  }

  // ---- The manifest and the action list ----------------------------------------------

  async function loadManifest() {
    byId("manifest-status").textContent = "Loading the manifest…";
    const answer = await call("GET", "v1/manifest");
    if (!answer.ok) {
      const { title, detail } = answer.problem;
      byId("manifest-status").textContent = `The manifest did not load: ${joined(title, detail)}`;
      return;
    }
    const manifest = answer.payload;
    state.forms.clear(); // drawn from the manifest just loaded; trigger states stay
    state.actions = new Map(manifest.actions.map((action) => [action.key, action]));
    state.picklists = new Map(manifest.picklists.map((picklist) => [picklist.key, picklist]));
    state.triggers = new Map((manifest.triggers ?? []).map((trigger) => [trigger.key, trigger]));
    byId("manifest-status").textContent =
      `${manifest.display ?? manifest.name} ${manifest.version}: ${state.actions.size} actions, ` +
      `${state.picklists.size} picklists, ${state.triggers.size} triggers.`;
    drawActionList();
    if (state.action) {
      const value = current();
      state.action = null; // its form came from the manifest before: drawn again, not kept
      chooseEntry(value);
    }
  }

  // The list's option values: an action's key, or `trigger:` and a trigger's key.
  const TRIGGER = "trigger:";
  const entryValue = (kind, key) => (kind === "trigger" ? TRIGGER + key : key);
  const current = () => (state.action ? entryValue(state.kind, state.action.key) : null);
  const areaOf = (entry) => entry.areaName ?? entry.area ?? "Other";

  /** Where calls go, said on the first screen, with a first step to take. */
  async function showTarget() {
    const answer = await call("GET", "v1/target");
    if (!answer.ok) return; // an older service: the connection fields say enough
    const { kind, address, needsToken } = answer.payload;
    const where = kind === "simulator"
      ? `Calls go to the embedded simulator at ${address}: no token needed.`
      : `Calls go to ${kind === "api" ? "the Segment Public API at " : ""}${address}: ` +
        "give an API token or a profile under Connection.";
    byId("target-text").textContent = where;
    byId("target-step").textContent = needsToken
      ? "Then try List Sources with Dry run: it shows the request and sends nothing."
      : "Try List Sources and press Run.";
    byId("target").hidden = false;
  }

  function entryOf(value) {
    if (value.startsWith(TRIGGER)) {
      const trigger = state.triggers.get(value.slice(TRIGGER.length));
      return trigger && { kind: "trigger", entry: trigger };
    }
    const action = state.actions.get(value);
    return action && { kind: "action", entry: action };
  }

  function drawActionList() {
    const words = byId("action-search").value.toLowerCase().split(/\s+/).filter(Boolean);
    const areas = new Map();
    const entries = [
      ...[...state.actions.values()].map((action) => [areaOf(action), action, action.key]),
      ...[...state.triggers.values()].map((trigger) => ["Triggers", trigger, TRIGGER + trigger.key]),
    ];
    for (const [area, entry, value] of entries) {
      const names = [entry.display, entry.key, area, entry.area, ...(entry.aliases ?? [])];
      const text = names.join(" ").toLowerCase();
      if (!words.every((word) => text.includes(word))) continue;
      if (!areas.has(area)) areas.set(area, []);
      areas.get(area).push({ entry, value });
    }
    const select = byId("action-select");
    select.replaceChildren();
    let shown = 0;
    for (const area of [...areas.keys()].sort()) {
      const group = el("optgroup", { label: area });
      const inArea = areas.get(area).sort((a, b) => a.entry.display.localeCompare(b.entry.display));
      for (const { entry, value } of inArea) {
        group.append(el("option", { value, text: `${entry.display} (${entry.key})` }));
        shown += 1;
      }
      select.append(group);
    }
    if (state.action) select.value = entryValue(state.kind, state.action.key);
    byId("action-count").textContent = `${shown} of ${entries.length} actions and triggers`;
  }

  function chooseEntry(value) {
    const found = entryOf(value);
    if (!found) return;
    const { kind, entry } = found;
    keepForm();
    state.action = entry;
    state.kind = kind;
    byId("action-select").value = value;
    state.calls += 1; // an answer still on its way belongs to the previous form
    byId("action-title").textContent = `${entry.display} (${entry.key})`;
    byId("action-description").replaceChildren(...rendered(entry.description ?? ""));
    const facts = kind === "trigger"
      ? ["trigger", `polls ${entry.reads}`, "each event once"]
      : [
        entry.method && entry.path ? `${entry.method} ${entry.path}` : null, // Raw Request: any
        entry.safety,
        entry.stability,
        entry.idempotent ? "idempotent" : "not idempotent",
        entry.paginated ? "paginated" : null,
        entry.dryRun ? `dry run: ${entry.dryRun}` : null, // a custom executor says what it shows
      ];
    byId("action-facts").textContent = facts.filter(Boolean).join(" · ");
    byId("action-facts").classList.toggle("destructive", entry.safety === "destructive");
    // An action runs or dry-runs; a trigger polls, carrying its state from poll to poll.
    for (const button of document.querySelectorAll("[data-for]")) {
      button.hidden = button.dataset.for !== kind;
    }
    const kept = restoreForm(value);
    if (!kept) drawForm(entry);
    clearOutput();
    if (kind === "trigger" && state.pollStates.has(value)) {
      byId("answer-status").textContent =
        "This trigger's state is kept: the next poll goes on from the last one.";
    }
    const example = kind === "trigger" ? entry.sampleEvent : entry.examplePayload;
    byId("example-title").textContent = kind === "trigger" ? "Sample event" : "Example answer (what a run returns)";
    byId("example").textContent = example === undefined ? "(none)" : pretty(example);
    byId("builder").hidden = false;
    byId("output").hidden = false;
  }

  // ---- Fields: one per property of the inputSchema -------------------------------------

  /** What to draw for a JSON Schema: `{kind, schema}` with a nullable scalar unwrapped. */
  function kindOf(property) {
    let schema = property;
    if (Array.isArray(schema.anyOf)) {
      const branches = schema.anyOf.filter((branch) => branch.type !== "null");
      if (branches.length !== 1 || !isScalar(branches[0])) return { kind: "json", schema };
      schema = { ...branches[0], default: property.default, examples: property.examples };
    }
    if (Array.isArray(schema.enum)) return { kind: "choice", schema };
    if (schema.type === "boolean") return { kind: "boolean", schema };
    if (schema.type === "integer" || schema.type === "number") return { kind: "number", schema };
    if (schema.type === "string") return { kind: "text", schema };
    return { kind: "json", schema }; // objects, arrays, and anything without a plain type
  }

  function acceptsText(schema) {
    if (Array.isArray(schema.anyOf)) return schema.anyOf.some(acceptsText);
    return schema.type === undefined || schema.type === "string";
  }

  function isScalar(schema) {
    const scalars = ["string", "integer", "number", "boolean"];
    return Array.isArray(schema.enum) || scalars.includes(schema.type);
  }

  function drawForm(action) {
    const schema = action.inputSchema ?? { properties: {} };
    const required = new Set(schema.required ?? []);
    const declared = new Map((action.inputs ?? []).map((input) => [input.key, input]));
    state.fields = new Map();
    state.helpers = new Map();
    const container = byId("fields");
    container.replaceChildren();
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const field = makeField(key, property, declared.get(key) ?? { key }, required.has(key));
      state.fields.set(key, field);
      container.append(field.node);
    }
    const picklistFields = [...state.fields.values()].filter((field) => field.picker);
    for (const field of picklistFields) linkParents(field);
    for (const field of allFields()) if (field.picker) refreshPicklist(field);
  }

  const allFields = () => [...state.helpers.values(), ...state.fields.values()];

  /** The form on screen, kept as the user left it, for when its entry is chosen again. */
  function keepForm() {
    const value = current();
    if (value === null) return;
    const nodes = [...byId("fields").childNodes];
    state.forms.set(value, { nodes, fields: state.fields, helpers: state.helpers });
  }

  /** A form kept by keepForm put back, values and all; false when there is none. */
  function restoreForm(value) {
    const kept = state.forms.get(value);
    if (!kept) return false;
    byId("fields").replaceChildren(...kept.nodes);
    state.fields = kept.fields;
    state.helpers = kept.helpers;
    // Lists that could not load then (no token yet) try again.
    for (const field of allFields()) {
      if (field.picker && field.picker.options.length === 0) refreshPicklist(field);
    }
    return true;
  }

  /** Help text from the manifest: its `code` spans drawn as code, the rest as text. */
  function rendered(text) {
    return String(text).split(/(`[^`]+`)/).filter(Boolean).map((part) =>
      (part.length > 2 && part.startsWith("`") && part.endsWith("`")
        ? el("code", { text: part.slice(1, -1) })
        : document.createTextNode(part)));
  }

  function makeField(key, declaredProperty, input, required, narrows = null) {
    const id = narrows ? `helper-${key}` : `in-${key}`;
    // `choices` of the input entry say the same as the schema's enum; either draws a select.
    const property = declaredProperty.enum || declaredProperty.anyOf || !input.choices
      ? declaredProperty : { ...declaredProperty, enum: input.choices };
    const { kind, schema } = kindOf(property);
    const label = input.label ?? key;
    const field = { key, id, kind, schema, label, required, parents: new Map() };
    const describedBy = [`${id}-help`, `${id}-error`];
    const examples = schema.examples ?? property.examples ?? [];
    const example = input.placeholder ?? examples[0] ?? input.example;
    const fallback = property.default ?? input.default ?? null;
    const common = {
      id, name: key, "aria-describedby": describedBy.join(" "), "aria-required": required ? "true" : null,
    };

    let control;
    if (kind === "boolean") {
      control = el("input", { ...common, type: "checkbox" });
      control.checked = fallback === true;
      // An optional yes/no without a default starts "left out": neither true nor false is sent.
      field.leftOut = !required && fallback === null;
      control.indeterminate = field.leftOut;
    } else if (kind === "choice") {
      const blank = el("option", { value: "", text: required ? "— choose —" : "— none —" });
      control = el("select", common, [blank]);
      for (const value of schema.enum) {
        control.append(el("option", { value: String(value), text: String(value) }));
      }
      if (fallback !== null) control.value = String(fallback);
    } else if (kind === "json") {
      const placeholder = example === undefined ? null : pretty(example);
      control = el("textarea", { ...common, rows: 3, spellcheck: "false", placeholder });
      if (fallback !== null) control.value = pretty(fallback);
    } else {
      const secret = property.writeOnly || input.secret || SECRET_NAME.test(key);
      const type = kind === "number" ? "number" : secret ? "password" : "text";
      control = el("input", {
        ...common, type, autocomplete: "off",
        step: schema.type === "integer" ? 1 : kind === "number" ? "any" : null,
        min: schema.minimum, max: schema.maximum,
        placeholder: example === undefined || typeof example === "object" ? null : String(example),
      });
      if (fallback !== null) control.value = String(fallback);
    }
    field.control = control;
    field.preferred = fallback; // chosen in the dropdown once the options arrive

    const marks = [label];
    if (required) marks.push(el("span", { class: "required", "aria-hidden": "true", text: " *" }));
    if (narrows) {
      marks.push(el("span", { class: "optional", text: ` (narrows ${narrows.label}; not sent)` }));
    }
    const help = rendered(property.description ?? input.comments ?? "");
    if (field.leftOut) help.push(" Left out until ticked.");
    const parts = [el("label", { for: id }, marks)];

    const picklist = input.picklist ? state.picklists.get(input.picklist) : undefined;
    if (picklist && (kind === "text" || kind === "json")) {
      field.picker = makePicker(field, picklist);
      // A string input takes its value from the dropdown; an array gets chosen keys appended.
      if (kind === "text") field.control = field.picker.select;
      parts.push(kind === "text" ? field.picker.select : control, field.picker.node);
    } else {
      parts.push(control);
    }
    if (kind === "boolean" && field.leftOut) {
      const reset = el("button", {
        type: "button", class: "link", text: "leave out", "aria-label": `Leave ${label} out`,
      });
      reset.addEventListener("click", () => {
        control.checked = false;
        control.indeterminate = true;
      });
      parts.push(reset);
    }
    parts.push(el("p", { id: `${id}-help`, class: "help" }, help));
    field.error = el("p", { id: `${id}-error`, class: "field-error", hidden: true });
    parts.push(field.error);
    field.node = el("div", { class: `field kind-${kind}`, "data-field": id }, parts);
    return field;
  }

  /** The field's value: `{value}`, `{blank: true}` (left out), or `{problem}`. */
  function readField(field) {
    const control = field.control;
    switch (field.kind) {
      case "boolean":
        return control.indeterminate ? { blank: true } : { value: control.checked };
      case "choice": {
        if (control.value === "") return { blank: true };
        return { value: field.schema.enum.find((value) => String(value) === control.value) };
      }
      case "number": {
        if (control.validity.badInput) return { problem: "is not a number" };
        if (control.value.trim() === "") return { blank: true };
        const number = Number(control.value);
        if (field.schema.type === "integer" && !Number.isInteger(number)) {
          return { problem: "must be a whole number" };
        }
        return { value: number };
      }
      case "json": {
        if (control.value.trim() === "") return { blank: true };
        try {
          return { value: JSON.parse(control.value) };
        } catch (error) {
          // Where text is a valid value too (Raw Request's body), what is not JSON is text.
          if (acceptsText(field.schema)) return { value: control.value };
          return { problem: `is not valid JSON (${error.message})` };
        }
      }
      default:
        if (field.picker) return field.picker.read();
        return control.value.trim() === "" ? { blank: true } : { value: control.value };
    }
  }

  // ---- Picklists ------------------------------------------------------------------------

  /** The dropdown, its search box and its status line for an input linked to a picklist. */
  function makePicker(field, picklist) {
    const forArray = field.kind === "json";
    const selectId = forArray ? `${field.id}-add` : field.id;
    const select = el("select", {
      id: selectId, name: forArray ? null : field.key,
      "aria-describedby": `${field.id}-status ${field.id}-help ${field.id}-error`,
      "aria-required": field.required && !forArray ? "true" : null,
    });
    const search = el("input", {
      id: `${field.id}-search`, type: "search", autocomplete: "off", class: "picklist-search",
      placeholder: "search the list", "aria-controls": selectId,
      "aria-label": `Search the ${field.label} options`,
    });
    const typed = el("input", {
      id: `${field.id}-typed`, type: "text", autocomplete: "off", hidden: true,
      "aria-label": `${field.label}, typed`,
    });
    const status = el("span", {
      id: `${field.id}-status`, class: "picklist-status", "aria-live": "polite",
    });
    // A string input's dropdown is its control (drawn by makeField); an array's is an adder.
    const adderLabel = `Add to ${field.label} from the list`;
    const rows = forArray
      ? [el("label", { for: selectId, class: "secondary", text: adderLabel }), select]
      : [];
    rows.push(el("div", { class: "picklist-row" }, [search, status]), typed);
    const picker = {
      picklist, select, search, typed, status, node: el("div", { class: "picklist" }, rows),
      options: [], keys: new Map(), nextPageToken: undefined, loads: 0, chosen: "",
      read() {
        const option = select.selectedOptions[0];
        if (option?.dataset.role === "typed") {
          return typed.value.trim() === "" ? { blank: true } : { value: typed.value };
        }
        if (!option || option.value === "" || !picker.keys.has(option.value)) return { blank: true };
        return { value: picker.keys.get(option.value) };
      },
    };

    select.addEventListener("change", () => {
      const role = select.selectedOptions[0]?.dataset.role;
      if (role === "more") {
        // Keep what was chosen while the next page loads.
        if (picker.chosen === TYPED) select.lastElementChild.selected = true;
        else select.value = picker.chosen;
        refreshPicklist(field, true);
        return;
      }
      typed.hidden = role !== "typed";
      if (role === "typed") typed.focus();
      if (forArray && picker.keys.has(select.value)) {
        appendToArray(field, picker.keys.get(select.value));
        select.value = "";
      }
      picker.chosen = role === "typed" ? TYPED : select.value;
    });
    let timer;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => refreshPicklist(field), SEARCH_DELAY_MS);
    });
    search.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // searching is not submitting
      clearTimeout(timer);
      refreshPicklist(field);
    });
    return picker;
  }

  function appendToArray(field, key) {
    let list = [];
    try {
      const parsed = JSON.parse(field.control.value || "[]");
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // Replaced: the list starts again from the chosen option.
    }
    if (!list.some((item) => JSON.stringify(item) === JSON.stringify(key))) list.push(key);
    field.control.value = pretty(list);
  }

  /** The keys of the picklist's inputs the form must give: `dependsOn`, else its required ones. */
  function dependsOn(picklist) {
    if (Array.isArray(picklist.dependsOn)) return picklist.dependsOn;
    return (picklist.inputs ?? [])
      .filter((input) => input.required && !CONTROL_INPUTS.has(input.key))
      .map((input) => input.key);
  }

  /** Ties a dependent picklist to its parents: the form's input of that name, else its own
      default, else a helper field drawn above it only to narrow the list. */
  function linkParents(field) {
    const picklist = field.picker.picklist;
    for (const parentKey of dependsOn(picklist)) {
      const declared = (picklist.inputs ?? []).find((input) => input.key === parentKey)
        ?? { key: parentKey };
      let parent = state.fields.get(parentKey) ?? state.helpers.get(parentKey);
      const fallback = declared.default ?? null;
      if (!parent && fallback === null) {
        const property = picklist.inputSchema?.properties?.[parentKey] ?? { type: "string" };
        parent = makeField(parentKey, property, declared, false, field);
        state.helpers.set(parentKey, parent);
        field.node.before(parent.node);
        if (parent.picker) linkParents(parent);
      }
      field.parents.set(parentKey, { field: parent ?? null, fallback });
    }
  }

  function drawOptions(field, message) {
    const picker = field.picker;
    const select = picker.select;
    const keep = picker.chosen;
    select.replaceChildren();
    const blank = field.required && field.kind === "text" ? "— choose —" : "— none —";
    select.append(el("option", { value: "", text: message ?? blank }));
    picker.keys = new Map();
    for (const option of picker.options) {
      const value = typeof option.key === "string" ? option.key : JSON.stringify(option.key);
      picker.keys.set(value, option.key);
      const plain = option.label === value || typeof option.key !== "string";
      const text = plain ? option.label : `${option.label} (${value})`;
      select.append(el("option", { value, text }));
    }
    if (picker.nextPageToken) {
      select.append(el("option", { value: "", "data-role": "more", text: "more…" }));
    }
    if (field.kind === "text") {
      select.append(el("option", { value: "", "data-role": "typed", text: "type a value…" }));
    }
    const typing = keep === TYPED && !picker.typed.hidden;
    const preferred = field.preferred === null ? "" : String(field.preferred);
    const wanted = picker.keys.has(keep) ? keep : picker.keys.has(preferred) ? preferred : "";
    if (typing) select.lastElementChild.selected = true; // a typed value outlives a reload
    else select.value = wanted;
    picker.chosen = typing ? TYPED : wanted;
    picker.typed.hidden = !typing;
    if (message) picker.status.textContent = message;
    // A choice the new options no longer hold is gone: lists below it follow.
    if (picker.chosen !== keep) refreshDependents(field);
  }

  async function refreshPicklist(field, more = false) {
    const picker = field.picker;
    const loads = ++picker.loads; // a newer load (new search, new parent) owns the list
    const inputs = { maxItems: PAGE_SIZE };
    const missing = [];
    for (const [parentKey, link] of field.parents) {
      const read = link.field ? readField(link.field) : { blank: true };
      const value = "value" in read ? read.value : link.fallback;
      if (value === null || value === undefined || value === "") {
        missing.push(link.field?.label ?? parentKey);
      } else {
        inputs[parentKey] = value;
      }
    }
    if (missing.length) {
      picker.options = [];
      picker.nextPageToken = undefined;
      drawOptions(field, `choose ${missing.join(" and ")} first`);
      return;
    }
    const takes = new Set((picker.picklist.inputs ?? []).map((input) => input.key));
    const region = state.fields.get("region");
    if (region && takes.has("region") && region.control.value) inputs.region = region.control.value;
    const filter = picker.search.value.trim();
    if (filter) inputs.filter = filter;
    if (more && picker.nextPageToken) inputs.pageToken = picker.nextPageToken;

    picker.status.textContent = "Loading…";
    picker.select.setAttribute("aria-busy", "true");
    const path = `v1/picklists/${encodeURIComponent(picker.picklist.key)}`;
    const answer = await call("POST", path, { inputs });
    if (loads !== picker.loads) return;
    picker.select.removeAttribute("aria-busy");
    if (!answer.ok) {
      drawOptions(field); // what was loaded before stays, and a value can still be typed
      const { title, detail } = answer.problem;
      picker.status.textContent = `Could not load the options: ${joined(title, detail)}`;
      return;
    }
    const { result = [], truncated = false, nextPageToken } = answer.payload ?? {};
    picker.options = more ? picker.options.concat(result) : result;
    picker.nextPageToken = truncated ? nextPageToken : undefined;
    drawOptions(field);
    const count = picker.options.length;
    picker.status.textContent = [
      `${count} option${count === 1 ? "" : "s"}`,
      filter ? ` matching “${filter}”` : "",
      truncated ? ", more to load" : "",
    ].join("");
  }

  /** The field an event in the form belongs to; none for a picklist's search box. */
  function fieldOf(event) {
    if (event.target.classList.contains("picklist-search")) return undefined; // a search, not a value
    const id = event.target.closest(".field")?.dataset.field;
    return allFields().find((field) => field.id === id);
  }

  /** Refreshes the picklists that depend on the input just changed (the region: all of them). */
  function onFieldChange(event) {
    const changed = fieldOf(event);
    if (changed) refreshDependents(changed);
  }

  function refreshDependents(changed) {
    for (const field of allFields()) {
      if (!field.picker || field === changed) continue;
      const dependent = [...field.parents.values()].some((link) => link.field === changed);
      if (dependent || changed.key === "region") refreshPicklist(field);
    }
  }

  // ---- Run, dry run, the answer and the problem ----------------------------------------

  function collectInputs() {
    const inputs = {};
    const problems = {};
    for (const field of state.fields.values()) {
      const read = readField(field);
      if (read.problem) problems[field.key] = read.problem;
      else if (!read.blank) inputs[field.key] = read.value;
    }
    return { inputs, problems };
  }

  async function submit(event) {
    event.preventDefault();
    const action = state.action;
    if (!action) return;
    const trigger = state.kind === "trigger";
    const mode = trigger ? "poll" : event.submitter?.value === "run" ? "run" : "dry-run";
    clearOutput();
    const { inputs, problems } = collectInputs();
    if (Object.keys(problems).length) {
      showProblem({
        title: "Check the marked inputs", detail: "Found in the page; nothing was sent.",
        code: "input", category: "config", retryable: false, fields: problems,
      });
      return;
    }
    const callNumber = ++state.calls;
    const form = byId("action-form");
    form.setAttribute("aria-busy", "true");
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
    byId("answer-status").textContent =
      { run: "Running…", poll: "Polling…" }[mode] ?? "Preparing the dry run…";
    const key = encodeURIComponent(action.key);
    const answer = trigger
      ? await call("POST", `v1/triggers/${key}/poll`,
        { inputs, state: state.pollStates.get(current()) ?? null })
      : await call("POST", `v1/actions/${key}/${mode}`, { inputs });
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = false;
    if (callNumber !== state.calls) return;
    const what = { run: "Run", poll: "Poll" }[mode] ?? "Dry run (nothing sent)";
    if (answer.ok) {
      if (trigger) state.pollStates.set(entryValue("trigger", action.key), answer.payload?.state ?? null);
      const events = trigger ? answer.payload?.events?.length ?? 0 : null;
      byId("answer-status").textContent = trigger
        ? `${what}: ${events} new event${events === 1 ? "" : "s"}; the next poll goes on from here`
        : `${what}: ${answer.status}`;
      byId("answer").textContent = pretty(answer.payload);
      byId("answer").hidden = false;
      byId("output").scrollIntoView({ block: "nearest" }); // below a long form
    } else {
      byId("answer-status").textContent = `${what}: ${answer.status || "no answer"}`;
      showProblem(answer.problem);
    }
  }

  function clearFieldProblem(field) {
    field.node.classList.remove("invalid");
    field.control.removeAttribute("aria-invalid");
    field.error.hidden = true;
    field.error.textContent = "";
  }

  function clearOutput() {
    for (const field of allFields()) clearFieldProblem(field);
    byId("answer-status").textContent = "";
    byId("answer").textContent = "";
    byId("answer").hidden = true;
    byId("problem").hidden = true;
  }

  /** The form's field a problem names: `slug`, `body.slug`, `source.metadataId`, `labels[0]`. */
  function fieldNamed(name) {
    if (state.fields.has(name)) return state.fields.get(name);
    const parts = String(name).split(/[.[\]/]+/).filter(Boolean);
    const part = parts.find((piece) => state.fields.has(piece));
    return part === undefined ? undefined : state.fields.get(part);
  }

  /** RFC 9457 problem details: title, detail, the routing facts, and each named input. */
  function showProblem(problem) {
    byId("problem-title").textContent = problem.title ?? "The call failed";
    byId("problem-detail").textContent = problem.detail ?? "";
    const facts = byId("problem-facts");
    facts.replaceChildren();
    for (const name of ["status", "code", "category", "retryable", "retryAfter", "apiStatus"]) {
      if (problem[name] === undefined) continue;
      facts.append(el("dt", { text: name }), el("dd", { text: String(problem[name]) }));
    }
    if (Array.isArray(problem.suggestions) && problem.suggestions.length) {
      const suggestions = problem.suggestions.join(", ");
      facts.append(el("dt", { text: "did you mean" }), el("dd", { text: suggestions }));
    }
    for (const error of Array.isArray(problem.errors) ? problem.errors : []) {
      const said = [error.type, error.field, error.message].filter(Boolean).join(": ");
      facts.append(el("dt", { text: "API said" }), el("dd", { text: said }));
    }

    const list = byId("problem-fields");
    list.replaceChildren();
    const named = Array.isArray(problem.fields)
      ? problem.fields.map((item) => [item.field ?? item.name ?? "", item.message ?? item.problem ?? ""])
      : Object.entries(problem.fields ?? {});
    // The API's own envelope names fields too (`source.slug`): marked the same way.
    for (const error of Array.isArray(problem.errors) ? problem.errors : []) {
      if (error.field && !named.some(([name]) => name === error.field)) {
        named.push([error.field, error.message ?? error.type ?? ""]);
      }
    }
    let first = null;
    for (const [name, message] of named) {
      const field = fieldNamed(name);
      const text = `${field ? field.label : name}: ${message}`;
      if (!field) {
        list.append(el("li", { text }));
        continue;
      }
      field.node.classList.add("invalid");
      field.control.setAttribute("aria-invalid", "true");
      // A problem inside a JSON value names its path there (`label.value`).
      const inside = name !== field.key ? `${name}: ` : "";
      field.error.textContent = `${inside}${message}`;
      field.error.hidden = false;
      const jump = el("button", { type: "button", class: "link", text, "data-field": field.key });
      jump.addEventListener("click", () => field.control.focus());
      list.append(el("li", {}, jump));
      first ??= field;
    }
    byId("problem").hidden = false;
    first?.control.focus();
  }

  // ---- Wiring ---------------------------------------------------------------------------

  function start() {
    byId("reload-manifest").addEventListener("click", () => {
      loadManifest();
      showTarget(); // refused before a service key was given
    });
    byId("action-search").addEventListener("input", drawActionList);
    byId("action-search").addEventListener("keydown", (event) => {
      const select = byId("action-select");
      if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      } else if (event.key === "Enter" && select.options.length) {
        // The action named exactly (key or display name), else the first match.
        event.preventDefault();
        const query = event.target.value.trim().toLowerCase();
        const exact = [...select.options].find((option) => option.value.toLowerCase() === query
          || entryOf(option.value).entry.display.toLowerCase() === query);
        chooseEntry((exact ?? select.options[0]).value);
      }
    });
    byId("action-select").addEventListener("change", (event) => chooseEntry(event.target.value));
    byId("poll-restart").addEventListener("click", () => {
      state.pollStates.delete(current());
      clearOutput();
      byId("answer-status").textContent =
        "State reset: the next poll starts from now and returns nothing older.";
    });
    byId("target-try").addEventListener("click", () => {
      byId("action-search").value = "";
      drawActionList();
      chooseEntry("listSources");
      byId("action-form").querySelector("button[type=submit]:not([hidden])")?.focus();
    });
    byId("fields").addEventListener("change", onFieldChange);
    // A mark goes as the input is edited, not when it loses focus: the form must not shift
    // under the pointer between pressing and releasing a button.
    byId("fields").addEventListener("input", (event) => {
      const field = fieldOf(event);
      if (field) clearFieldProblem(field);
    });
    byId("action-form").addEventListener("submit", submit);
    // New credentials may open picklists that were refused.
    for (const id of ["token", "profile", "service-key"]) {
      byId(id).addEventListener("change", () => {
        for (const field of allFields()) if (field.picker) refreshPicklist(field);
      });
    }
    loadManifest();
    showTarget();
  }

  start();
})();
