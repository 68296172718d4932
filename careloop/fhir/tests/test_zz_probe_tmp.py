from careloop.fhir.tests.test_smart import *  # noqa
from careloop.fhir.tests.test_smart import _authorize_query
def test_probe(as_user, ada, ada_patient, patient_app):
    page = as_user(ada).get("/o/authorize/", _authorize_query(patient_app.client_id, "patient/*.read"))
    html = page.content.decode()
    print(html[html.index("<p>\n    <button"):][:400])
    bad = as_user(ada).get("/o/authorize/", _authorize_query("no-such", "patient/*.read"))
    print(bad.content.decode()[-600:])
    submit(ada_patient, ada, "phq9", [0]*9)
    token = authorise(as_user(ada), patient_app.client_id, "patient/*.read")["access_token"]
    r = bearer(token).get("/fhir/r4/Observation"); print(r.status_code)
    print(list(AuditEvent.objects.values_list("action", "actor__username", "detail")))
