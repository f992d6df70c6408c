// 在线法律咨询 for citizens on the web (issue 7; standard 6.1 a real-time, 6.1 b 留言). No account: the
// consultation's token (returned once, when asking) is the only key, kept in this tab's sessionStorage
// so a reload resumes the chat and closing the tab forgets it.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const API = "/api/v1/consultations";
  const WHO = { citizen: "我", lawyer: "律师", system: "系统" };
  let current = null; // {id, token}
  let socket = null;
  let seen = 0;
  let messages = [];
  let status = "";

  function fail(message) { $("error").textContent = message || ""; }

  async function call(method, path, body) {
    const headers = { "content-type": "application/json" };
    if (current) headers["x-consultation-token"] = current.token;
    const res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = new Error(data.message || ("请求失败 " + res.status));
      e.field = data.field;
      throw e;
    }
    return data;
  }

  function render() {
    const list = $("messages");
    list.replaceChildren(...messages.map((m) => {
      const li = document.createElement("li");
      li.className = m.author + " " + m.kind;
      li.dataset.seq = m.seq;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = WHO[m.author] || m.author;
      const body = document.createElement("span");
      body.textContent = m.body; // as text, never markup: it is someone else's words
      li.append(who, body);
      return li;
    }));
    list.scrollTop = list.scrollHeight;
    const open = ["queued", "assigned", "active"].includes(status);
    $("waiting").hidden = !["queued", "assigned"].includes(status);
    $("written").hidden = status !== "waiting_reply";
    $("composer").hidden = !open;
    const last = messages[messages.length - 1];
    $("consent").hidden = !(open && last && last.author !== "citizen" && last.kind === "consent");
    $("rating").hidden = !(["closed", "answered"].includes(status) && !current.rated);
  }

  function take(view) {
    status = view.status;
    $("status").textContent = view.status_label;
    for (const m of view.messages || []) add(m);
    current.rated = !!view.rating;
    render();
  }

  function add(m) {
    if (messages.some((x) => x.seq === m.seq)) return;
    messages.push(m);
    messages.sort((a, b) => a.seq - b.seq);
    seen = Math.max(seen, m.seq);
  }

  function follow() {
    if (!current) return;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + API + "/" + current.id + "/ws?token=" +
      encodeURIComponent(current.token) + "&after=" + seen);
    socket.onopen = () => { $("live").textContent = ""; };
    socket.onmessage = (ev) => {
      const f = JSON.parse(ev.data);
      if (f.type === "message") add(f.message);
      else if (f.type === "status") { status = f.status; $("status").textContent = f.label; }
      else if (f.type === "error") fail(f.error && f.error.message);
      render();
    };
    socket.onclose = () => {
      socket = null;
      if (current && status !== "closed") {
        $("live").textContent = "连接中断，正在重连…";
        setTimeout(follow, 2000);
      }
    };
  }

  async function start(saved) {
    current = saved;
    sessionStorage.setItem("consultation", JSON.stringify(saved));
    $("ask").hidden = true;
    $("chat").hidden = false;
    take(await call("GET", API + "/" + saved.id));
    follow();
  }

  $("ask").addEventListener("change", () => {
    const written = document.querySelector("input[name=kind]:checked").value === "message";
    $("phone-label").textContent = written ? "手机号（必填：答复后以短信通知）" : "手机号（选填：律师暂时无法接入时，答复以短信通知）";
  });

  $("ask").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    fail("");
    const kind = document.querySelector("input[name=kind]:checked").value;
    const phone = $("phone").value.trim();
    if (kind === "message" && !phone) return fail("留言咨询需要手机号，律师答复后以短信通知您");
    $("submit").disabled = true;
    try {
      const r = await call("POST", API, { kind, specialty: $("specialty").value, question: $("question").value, phone: phone || null });
      await start({ id: r.consultation.id, token: r.token });
    } catch (e) {
      fail(e.message);
    } finally {
      $("submit").disabled = false;
    }
  });

  async function say(kind, body) {
    fail("");
    try {
      await call("POST", API + "/" + current.id + "/messages", { body, kind });
      if (kind === "text") $("input").value = "";
    } catch (e) { fail(e.message); }
  }
  $("send").addEventListener("click", () => say("text", $("input").value));
  $("consent").addEventListener("click", () => say("consent", "好的，我愿意继续等待。"));
  $("close").addEventListener("click", async () => {
    try { take(await call("POST", API + "/" + current.id + "/close")); } catch (e) { fail(e.message); }
  });
  $("rating").addEventListener("click", async (ev) => {
    const level = Number(ev.target.dataset.level);
    if (!level) return;
    try {
      await call("POST", API + "/" + current.id + "/rating", { level });
      current.rated = true;
      fail("");
      $("rating").textContent = "感谢您的评价！";
    } catch (e) { fail(e.message); }
  });
  $("again").addEventListener("click", () => {
    sessionStorage.removeItem("consultation");
    location.reload();
  });

  const saved = sessionStorage.getItem("consultation");
  if (saved) start(JSON.parse(saved)).catch(() => sessionStorage.removeItem("consultation"));
})();
