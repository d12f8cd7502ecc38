-- Database and role for Home Console (docker-compose.yml runs this at first start).
-- The platform creates its own tables (hc_storage) at start-up.
CREATE ROLE homeconsole LOGIN PASSWORD 'homeconsole';
CREATE DATABASE homeconsole OWNER homeconsole;
