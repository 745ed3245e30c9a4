// Enhancement only: every page works without this file. Marks the page as able to run the
// NHS frontend's scripts (as its page template does), then starts its components.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')

import('./vendor/nhsuk-frontend/nhsuk-frontend.min.js')
  .then(({ initAll }) => initAll())
  .catch(() => {}) // no frontend installed: the pages work as they are
