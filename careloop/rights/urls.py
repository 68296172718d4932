from careloop.rights.urls_access import urlpatterns as access_patterns
from careloop.rights.urls_data import urlpatterns as data_patterns

app_name = "rights"
urlpatterns = [*access_patterns, *data_patterns]
