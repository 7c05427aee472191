"""Classes (cohorts): learners taught together, their due dates, late rules and extensions."""
