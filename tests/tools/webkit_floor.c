/* The memory floor of WebKitGTK on this machine, for `make bench` (tests/e2e.rs,
 * bench_start_and_memory): one GTK window with one WebKitGTK view set up exactly as LicenseDesk
 * sets up its webview (src-tauri/src/lib.rs, lighter_webview: no GPU compositing, the
 * document-viewer cache model, no page cache), showing a one-line page. Whatever this tree of
 * processes takes, LicenseDesk cannot take less: the difference is what LicenseDesk's page and
 * backend cost.
 *
 * Built by the benchmark: cc webkit_floor.c $(pkg-config --cflags --libs webkit2gtk-4.1) */
#include <webkit2/webkit2.h>

int main(int argc, char **argv) {
  gtk_init(&argc, &argv);
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_default_size(GTK_WINDOW(window), 1280, 800);
  WebKitWebContext *context = webkit_web_context_get_default();
  webkit_web_context_set_cache_model(context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  WebKitWebView *view = WEBKIT_WEB_VIEW(webkit_web_view_new_with_context(context));
  WebKitSettings *settings = webkit_web_view_get_settings(view);
  webkit_settings_set_hardware_acceleration_policy(settings,
                                                   WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER);
  webkit_settings_set_enable_page_cache(settings, FALSE);
  gtk_container_add(GTK_CONTAINER(window), GTK_WIDGET(view));
  g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
  webkit_web_view_load_html(view, "<!doctype html><title>Plans</title><p>Plans</p>", NULL);
  gtk_widget_show_all(window);
  gtk_main();
  return 0;
}
