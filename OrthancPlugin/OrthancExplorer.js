// Iris for Orthanc: actions on Orthanc Explorer's series page. Orthanc Explorer is jQuery Mobile
// 1.x, so pages are hooked with live('pagebeforecreate') and the series id is in pageData.uuid.
$('#series').live('pagebeforecreate', function() {
  function irisButton(id, text, icon) {
    return $('<a>')
      .attr('id', id)
      .attr('data-role', 'button')
      .attr('href', '#')
      .attr('data-icon', icon)
      .attr('data-theme', 'e')
      .text(text);
  }

  function describeJobs(answer) {
    if (answer.jobs.length === 0) {
      return 'No Iris task matches this series.';
    }
    return answer.jobs.map(function(job) {
      return 'Task ' + job.task + ': job ' + job.id + ' is ' + job.state;
    }).join('\n');
  }

  var segment = irisButton('iris-segment', 'Segment with Iris', 'gear');
  var jobs = irisButton('iris-jobs', 'Iris jobs of this series', 'grid');
  segment.insertBefore($('#series-delete').parent().parent());
  jobs.insertBefore($('#series-delete').parent().parent());

  // Each handler returns false: the buttons' href="#" would otherwise make jQuery Mobile navigate,
  // and that navigation can race the alert() that answers the click.
  segment.click(function() {
    if (!$.mobile.pageData) {
      return false;
    }
    $.ajax({
      url: '../iris/series/' + $.mobile.pageData.uuid + '/segment',
      type: 'POST',
      data: '{}',
      dataType: 'json',
      success: function(answer) {
        alert(describeJobs(answer));
      },
      error: function(request) {
        var message = request.responseText;
        try {
          message = JSON.parse(request.responseText).error;
        } catch (ignored) {
          // Not our JSON (a proxy or Orthanc itself answered): show the text as it came.
        }
        alert('Iris could not queue this series (HTTP ' + request.status + '): ' + message);
      }
    });
    return false;
  });

  jobs.click(function() {
    if ($.mobile.pageData) {
      window.open('../iris/jobs?series=' + $.mobile.pageData.uuid);
    }
    return false;
  });
});
