/** The guest's environment: fixed, so runs are reproducible and independent of the host's. */
export const GUEST_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/', 'TERM=dumb', 'LANG=C'];
