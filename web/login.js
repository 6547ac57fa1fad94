/* mamori hub — the login page: translate it, then trade the token for a session. */
'use strict';
(function () {
  const langSel = document.getElementById('lang');
  function cookieLang() {
    const m = /(?:^|;\s*)mamori_lang=(en|ja)/.exec(document.cookie);
    return m ? m[1] : null;
  }
  function browserLang() {
    for (const l of navigator.languages || []) {
      if (/^ja\b/i.test(l)) return 'ja';
      if (/^en\b/i.test(l)) return 'en';
    }
    return 'en';
  }
  async function translate(lang) {
    const res = await fetch('/i18n/' + lang + '.json', { credentials: 'same-origin' });
    if (!res.ok) return;
    const cat = await res.json();
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll('[data-i18n]')) {
      const v = cat[el.getAttribute('data-i18n')];
      if (typeof v === 'string') el.textContent = v;
    }
    langSel.value = lang;
  }
  langSel.addEventListener('change', () => {
    document.cookie = 'mamori_lang=' + langSel.value + '; path=/; SameSite=Strict; max-age=31536000';
    translate(langSel.value);
  });
  translate(cookieLang() || browserLang());

  const form = document.getElementById('login-form');
  const err = document.getElementById('login-error');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const token = document.getElementById('token').value.trim();
    const res = await fetch('/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (res.ok) {
      window.location.assign('/');
    } else {
      err.hidden = false;
    }
  });
})();
