from careloop.rights.access.urls import urlpatterns as access_patterns
from careloop.rights.data.urls import urlpatterns as data_patterns

app_name = "rights"
urlpatterns = [*access_patterns, *data_patterns]
